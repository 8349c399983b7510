"""The interface language field: saves the choice, says a restart applies it, yields to TALE_LANGUAGE."""

from __future__ import annotations

from tale_desktop import settings as cfg
from tale_desktop.ui.language_picker import LanguagePicker


def test_choice_is_saved_and_needs_a_restart(qtbot, tale_env):
    settings = cfg.Settings({**tale_env, "TALE_NO_KEYRING": "1", "LANG": "en_US.UTF-8"})
    picker = LanguagePicker(settings)
    qtbot.addWidget(picker)
    names = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert names[1:] == ["English", "Русский"] and names[0].startswith("Like the system")
    assert picker.chosen() == ""
    picker.combo.setCurrentIndex(picker.combo.findData("ru"))
    assert "restarted" in picker.note.text()
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
