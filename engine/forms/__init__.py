"""Task forms: JSON Schema (draft 2020-12) documents with UI hints in ``x-*`` keywords.

A form is ``<key>.json``: an object schema whose properties carry ``title``/``description`` (Chinese, the
default), ``x-i18n.<lang>`` overrides, ``x-widget``, ``x-enum-labels`` and ``readOnly``; the root may carry
``x-order`` and ``title``.  Nested objects and free-form arrays (arrays without ``items.enum``) are fully
validated but rendered read-only as a JSON textarea, and never read back from an HTML POST.
"""

from .input import coerce_form_input
from .schema import field_order, form_title
from .units import UnitChoice, check_unit_options, unit_option_fields, with_unit_options
from .validation import FieldError, check_form_document, validate_submission
from .views import FieldView, field_views, value_labels

__all__ = ["FieldError", "FieldView", "UnitChoice", "check_form_document", "check_unit_options", "coerce_form_input",
           "field_order", "field_views", "form_title", "unit_option_fields", "validate_submission", "value_labels",
           "with_unit_options"]
