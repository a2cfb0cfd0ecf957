"""The window's language: which compiled translation (.qm) Qt loads at start-up."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

#: The translations shipped in resources/i18n (``studio_<code>.qm``); English is the source.
LANGUAGES = ("en", "zh_CN")
I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"

#: The translators this module installed, by role: asking the application for its
#: QTranslator children instead cost 17 ms of the start-up (bench/ui_start.py).
_INSTALLED: dict[str, QTranslator] = {}
#: The language the window shows now; the packs' catalogues follow it (studio.app.pack_i18n).
_LANGUAGE = ["en"]


def language() -> str:
    """The code of the language installed last ("en" before any)."""
    return _LANGUAGE[0]


def resolve(language: str, system: QLocale | None = None) -> str:
    """The shipped language a setting means: ``system`` follows the system's locale."""
    if language != "system":
        return language if language in LANGUAGES else "en"
    locale = system if system is not None else QLocale.system()
    # Any Chinese in the simplified script (zh_CN, zh_SG, zh_Hans_*) reads zh_CN.
    if (locale.language() == QLocale.Language.Chinese
            and locale.script() != QLocale.Script.TraditionalChineseScript
            and locale.territory() not in (QLocale.Country.Taiwan, QLocale.Country.HongKong,
                                           QLocale.Country.Macau)):
        return "zh_CN"
    return "en"


def install_translator(app: QCoreApplication, language: str = "system",
                       folder: Path = I18N_DIR) -> str:
    """Load the translation ``language`` chooses into ``app``; return the code loaded.

    Qt's own strings (dialog buttons, file dialogs) come from the translations the Qt
    wheel ships. English needs none. A missing or unreadable .qm leaves the window in
    English (a warning in the log) rather than stopping it from opening.
    """
    code = resolve(language)
    _LANGUAGE[0] = "en"
    for role in list(_INSTALLED):
        old = _INSTALLED.pop(role)
        try:
            app.removeTranslator(old)
            old.setParent(None)
        except RuntimeError:  # its application was destroyed with it
            pass
    if code == "en":
        return "en"
    translator = QTranslator(app)
    translator.setObjectName("studio-translator")
    path = folder / f"studio_{code}.qm"
    if not translator.load(str(path)):
        log.warning("translation %s could not be loaded; the window stays in English", path)
        translator.setParent(None)
        return "en"
    app.installTranslator(translator)
    _INSTALLED["studio"] = translator
    _LANGUAGE[0] = code
    qt = QTranslator(app)
    qt.setObjectName("qt-translator")
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{code}", qt_folder):
        app.installTranslator(qt)
        _INSTALLED["qt"] = qt
    else:
        qt.setParent(None)  # Qt's buttons stay in English; ours are translated
    return code
