"""The Flask extensions of the web app, created once and bound to the app by ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
csrf = CSRFProtect()
babel = Babel()
