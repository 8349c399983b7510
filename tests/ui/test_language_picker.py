"""The interface language field: saves the choice, says a restart applies it, yields to TALE_LANGUAGE."""

from __future__ import annotations

from tale_desktop import settings as cfg
from tale_desktop.ui.settings.language_picker import LanguagePicker


def test_choice_is_saved_and_needs_a_restart(qtbot, tale_env):
    settings = cfg.Settings({**tale_env, "TALE_NO_KEYRING": "1", "LANG": "en_US.UTF-8"})
    picker = LanguagePicker(settings)
    qtbot.addWidget(picker)
    names = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert names[1:] == ["English", "Русский"] and names[0].startswith("Like the system")
    assert picker.chosen() == ""
    picker.combo.setCurrentIndex(picker.combo.findData("ru"))
    assert "restarts" in picker.note.text() and not picker.restart_button.isHidden()
    assert picker.save() is True
    assert cfg.startup_interface_language(settings.env) == "ru"
    again = LanguagePicker(cfg.Settings(settings.env))
    qtbot.addWidget(again)
    assert again.chosen() == "ru"
    again.combo.setCurrentIndex(again.combo.findData("en"))
    assert again.save() is False  # English is what the window speaks now
    assert cfg.Settings(settings.env).stored(cfg.UI_LANGUAGE) == "en"


def test_environment_wins(qtbot, tale_env):
    settings = cfg.Settings({**tale_env, "TALE_NO_KEYRING": "1", "TALE_LANGUAGE": "ru"})
    picker = LanguagePicker(settings)
    qtbot.addWidget(picker)
    assert not picker.combo.isEnabled() and "TALE_LANGUAGE" in picker.note.text()
    assert picker.save() is False


def test_restart_now_saves_and_asks_the_app(qtbot, tale_env):
    from tale_desktop.ui.common.language import language_switch

    settings = cfg.Settings({**tale_env, "TALE_NO_KEYRING": "1", "LANG": "en_US.UTF-8"})
    picker = LanguagePicker(settings)
    qtbot.addWidget(picker)
    assert picker.restart_button.isHidden()  # nothing to restart for
    picker.combo.setCurrentIndex(picker.combo.findData("ru"))
    asked = []
    language_switch().restart_requested.connect(lambda: asked.append(True))
    try:
        picker.restart_button.click()
        assert asked == [True] and language_switch().restart_pending
        assert cfg.startup_interface_language(settings.env) == "ru"
    finally:
        language_switch().restart_pending = False
        language_switch().restart_requested.disconnect()
