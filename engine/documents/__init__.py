"""Case documents: DOCX files a case's process produces, stored with the case and read by whoever may read it.

One service for every producer: ``fill`` turns a DOCX template with ``{field}`` placeholders into a document
from case data (the ``document`` connector uses it); ``store`` keeps a document with its case and lists and
serves it (``GET /api/v1/cases/<id>/documents``, ``GET /api/v1/documents/<id>``). Documents built in Python
(the dispute notices) can be stored the same way.
"""
