"""The main window: the reader in the centre, the library pane beside it (collapsible), the story's details as a
header above the text, the player bar under it, and the new-story form as a page of its own.

Every command lives in one :class:`ActionRegistry` (``window.actions``): menus, toolbar and context menus show
the same actions, and an action that cannot run is disabled. One :class:`StoryController` loads the open story
once per open or change and feeds both the reader and the details header.

Extension points for capabilities:
- :meth:`MainWindow.add_primary_action` puts an action first in the File menu and the toolbar ("New story…").
- :meth:`MainWindow.add_center_page` / :meth:`show_center_page` host a page next to the reader (compose form).
- ``reader.add_bottom_widget`` hosts the player bar under the text (``self.narration``, see ``narration_ui``).
- :meth:`MainWindow.add_status_widget` puts a permanent indicator in the status bar (sync status).
- ``settings_opened`` hands every new Settings dialog to listeners (an Account page via ``add_section``).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QByteArray, QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import APP_TITLE, __version__
from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.domain.query import StoryQuery
from tale_desktop.resources_path import resource
from tale_desktop.services.library import StoryDetails
from tale_desktop.ui.common import formatting, theme
from tale_desktop.ui.common.language import localized
from tale_desktop.ui.library.library_panel import LibraryFeatures
from tale_desktop.ui.library.library_view import LibraryView, StoryListModel
from tale_desktop.ui.listen.bedtime_ui import install_bedtime
from tale_desktop.ui.listen.narration_ui import install_narration
from tale_desktop.ui.listen.recording_ui import install_recording
from tale_desktop.ui.profiles.profiles import ChildrenPanel, HeroesPanel
from tale_desktop.ui.reader.reader import ReaderPane
from tale_desktop.ui.reader.story_controller import StoryController
from tale_desktop.ui.reader.story_details import StoryDetailsPanel
from tale_desktop.ui.settings.settings_dialog import SettingsDialog
from tale_desktop.ui.shell import key_guard
from tale_desktop.ui.shell.actions import ActionRegistry
from tale_desktop.ui.shell.tasks_panel import TasksPanel

log = logging.getLogger(__name__)
MIN_WIDTH, MIN_HEIGHT = 760, 500  # fits a 1920x1080 screen at 200 % scale (960x540 logical)
NARROW_WIDTH = 1200  # below this, the new-story page takes the library pane's room
READY_NOTICE_MS = 8000


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "tale-desktop.svg")))


def _t(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def missing_services(settings: cfg.Settings) -> list[tuple[str, str]]:
    """(service, what its key unlocks) for every service that is not configured yet."""
    missing = []
    if not settings.llm_configured:
        missing.append((QCoreApplication.translate("MainWindow", "Stories"), QCoreApplication.translate("MainWindow", "add an OpenRouter API key, or the address of a local story-writing "
                                          "server, to write new stories. The starter stories can be read "
                                          "right now.")))
    if not settings.elevenlabs_configured:
        missing.append((QCoreApplication.translate("MainWindow", "Natural voices"), QCoreApplication.translate("MainWindow", "an ElevenLabs key reads stories aloud with natural voices; "
                                                 "the offline voice works without it.")))
    if not settings.supabase_configured:
        missing.append((QCoreApplication.translate("MainWindow", "Sync"), QCoreApplication.translate("MainWindow", "a Supabase project keeps your library in step across the family's "
                                       "devices (optional).")))
    return missing


class FirstRunBanner(QFrame):
    """Says plainly what each missing key unlocks, with a button to Settings; hidden when all is configured.

    Starts hidden; :meth:`MainWindow.refresh_banner` fills it once the keys were looked up.
    """

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstRunBanner")
        self.heading = QLabel(self.tr("Welcome to Tale Desktop"))
        self.heading.setObjectName("bannerHeading")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.settings_button = QPushButton(self.tr("Open Settings…"))
        self.settings_button.setObjectName("bannerButton")
        self.settings_button.clicked.connect(self.settings_requested)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip(self.tr("Hide until the next start"))
        self.dismiss_button.setAccessibleName(self.tr("Hide the welcome message"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.dismissed = False
        column = QVBoxLayout()
        column.setSpacing(4)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        buttons = QVBoxLayout()
        buttons.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignRight)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 10, 10)
        layout.addLayout(column, 1)
        layout.addLayout(buttons)
        self.hide()

    def show_missing(self, missing: list[tuple[str, str]]) -> None:
        items = "".join(f"<li><b>{name}</b>: {what}</li>" for name, what in missing)
        self.text.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
        self.setVisible(bool(missing) and not self.dismissed)

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()


class ReadyBanner(QFrame):
    """"“Title” is ready" with an Open button, for a story finished while the parent looked elsewhere."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("readyBanner")
        self.story_id = ""
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setObjectName("readyOpen")
        self.open_button.clicked.connect(self._open)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Hide"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(close)
        self.hide()

    def show_ready(self, story_id: str, title: str) -> None:
        self.story_id = story_id
        self.text.setText(self.tr("“{0}” is ready to read.").format(title))
        self.show()

    def _open(self) -> None:
        self.hide()
        self.open_requested.emit(self.story_id)


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every command with keys, from the action registry."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Command"), self.tr("Keys")])
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        sections: dict[str, QTreeWidgetItem] = {}
        for section, command, keys in rows:
            if section not in sections:
                heading = QTreeWidgetItem([section, ""])
                font = heading.font(0)
                font.setBold(True)
                heading.setFont(0, font)
                self.tree.addTopLevelItem(heading)
                sections[section] = heading
            self.tree.addTopLevelItem(QTreeWidgetItem(["    " + command, keys]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(520, 560)


class MainWindow(QMainWindow):
    closed = Signal()
    continue_story_requested = Signal(str)  # "Continue the story…" in the library's menu (the compose form)
    settings_opened = Signal(object)  # a new SettingsDialog (later capabilities add pages to it)
    settings_saved = Signal()  # keys or addresses may have changed

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.resize(1180, 760)
        self.settings_dialog: SettingsDialog | None = None
        self._quit_confirmed = False
        self._tray: QSystemTrayIcon | None = None
        self.quiet = False  # bedtime mode: no notifications
        self.quit_requested = False  # Quit (not the window's close button): never just hide to the tray
        self.actions = ActionRegistry(self)
        app = QApplication.instance()
        if isinstance(app, QApplication) and not app.property("taleKeyGuard"):
            app.setProperty("taleKeyGuard", True)
            self._key_guard = key_guard.install(app)  # Space on a focused button presses it
        self.theme = theme.ThemeManager(ctx.settings, self)

        # The library pane: library and profiles.
        self.library = LibraryView(ctx)
        self.children_panel = ChildrenPanel(ctx)
        self.heroes_panel = HeroesPanel(ctx)
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.addTab(self.library, self.tr("Library"))
        self.left_tabs.addTab(self.children_panel, self.tr("Children"))
        self.left_tabs.addTab(self.heroes_panel, self.tr("Heroes"))
        self.left_tabs.setMinimumWidth(250)
        # Search, filters, sort, row painting, multi-select, context menu and delete-with-undo; the keys are the
        # window's actions (they act on the selected rows while the list has the focus).
        self.library_features = LibraryFeatures(ctx, self.library.list, self.library.model,
                                                id_role=StoryListModel.IdRole,
                                                summary_role=StoryListModel.SummaryRole, count=False,
                                                shortcuts=False)
        self.library.add_top_widget(self.library_features.filters)
        self.undo_bar = self.library_features.undo_bar

        # The centre: the details header over the reader (other pages such as the compose form join the stack).
        self.story = StoryController(ctx, self)
        self.reader = ReaderPane(ctx)
        self.details = StoryDetailsPanel(ctx, follow_changes=False)  # fed by the controller
        self.details.hide()
        reader_page = QWidget()
        reader_page.setObjectName("readerPage")
        reader_column = QVBoxLayout(reader_page)
        reader_column.setContentsMargins(0, 0, 0, 0)
        reader_column.setSpacing(6)
        reader_column.addWidget(self.details)
        reader_column.addWidget(self.reader, 1)
        self.reader_page = reader_page
        self.center = QStackedWidget()
        self.center.setObjectName("center")
        self.center.addWidget(reader_page)
        self.center.setMinimumWidth(440)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.center)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 860])
        self.splitter.setChildrenCollapsible(False)

        self.banner = FirstRunBanner()
        self.banner.settings_requested.connect(self.open_settings)
        self.ready_banner = ReadyBanner()
        self.ready_banner.open_requested.connect(self.open_story)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(8, 8, 8, 0)
        column.setSpacing(8)
        column.addWidget(self.banner)
        column.addWidget(self.ready_banner)
        column.addWidget(self.splitter, 1)
        column.addWidget(self.undo_bar)
        self.setCentralWidget(central)

        # Tasks panel: only work the parent started (writing stories, exports), shown while it runs.
        self.tasks_panel = TasksPanel(ctx.tasks)
        self.tasks_dock = QDockWidget(self.tr("Tasks"), self)
        self.tasks_dock.setObjectName("tasksDock")
        self.tasks_dock.setWidget(self.tasks_panel)
        self.tasks_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                    | QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.tasks_dock)
        self.resizeDocks([self.tasks_dock], [100], Qt.Orientation.Vertical)
        self.tasks_dock.hide()  # appears while something runs (View > Tasks shows it any time)
        self.tasks_panel.activity_changed.connect(self._tasks_activity)
        self._tasks_fit_pending = False
        self.tasks_panel.rows_changed.connect(self._fit_tasks_dock)

        self._build_actions()
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.library.model.loading_changed.connect(self._update_status)
        self.library.model.refreshed.connect(self._update_status)

        self._restore_layout()
        self.library.story_selected.connect(self.open_story)
        self.library_features.actions.open_requested.connect(self.open_story)
        self.library_features.actions.continue_requested.connect(self.continue_story_requested)
        self.library.list.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.story.loaded.connect(self._story_loaded)
        self.story.closed.connect(self._story_closed)
        self.story.failed.connect(lambda message: self.statusBar().showMessage(localized(message), 10000))
        self.details.navigate_requested.connect(self._navigate)  # previous / next part
        self.theme.theme_changed.connect(self.actions.recolour)
        # Listening: player bar under the reader, Listen menu, Play action, read-along.
        self.narration = install_narration(self)
        self.recording = install_recording(self)  # Record my reading, Read by, Family voices
        self.bedtime = install_bedtime(self)  # sleep timer, tonight's queue, soft sound, bedtime mode, MPRIS, tray
        self.refresh_banner()

        from tale_desktop.ui.compose import new_story as compose

        self.storyteller_ui = compose.install(self)
        self.storyteller_ui.panel.story_saved.connect(self._story_written)
        self.continue_story_requested.connect(self._continue_story)
        from tale_desktop.ui.reader.pictures_ui import install_pictures

        self.pictures_ui = install_pictures(self)  # picture books: pictures in the reader, Illustrate, Redraw
        self._update_actions()

    # -- actions ------------------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        a = self.actions
        stories, view, help_ = self.tr("Stories"), self.tr("View"), self.tr("Help")
        a.define("new_child", self.tr("New child…"), section=stories, shortcuts=["Ctrl+Shift+C"], icon="child",
                 tip=self.tr("Add a child's profile"), slot=self.new_child)
        a.define("new_hero", self.tr("New hero…"), section=stories, shortcuts=["Ctrl+Shift+H"], icon="hero",
                 tip=self.tr("Add a hero for the stories"), slot=self.new_hero)
        a.define("favourite", self.tr("Favourite"), section=stories, shortcuts=["Ctrl+D"], icon="heart",
                 tip=self.tr("Add to or remove from the favourites"), slot=self.toggle_favourite)
        for value in range(1, 11):
            a.define(f"rate{value}", self.tr("Rate {0}").format(value), section="", shortcuts=[str(value % 10)],
                     slot=lambda v=value: self.rate(v))
        a.define("delete", self.tr("Delete"), section=stories, shortcuts=[QKeySequence.StandardKey.Delete],
                 icon="delete", tip=self.tr("Delete the story (you can undo it)"), slot=self.delete_story)
        a.define("search", self.tr("Search"), section=stories, shortcuts=[QKeySequence.StandardKey.Find],
                 icon="search", tip=self.tr("Search the library"), slot=self.focus_search)
        a.define("settings", self.tr("Settings…"), section=stories,
                 shortcuts=[QKeySequence.StandardKey.Preferences, "Ctrl+,"], icon="settings",
                 tip=self.tr("Keys, voices, appearance and account"), slot=self.open_settings,
                 role=QAction.MenuRole.PreferencesRole)
        a.define("quit", self.tr("Quit"), section=stories, shortcuts=[QKeySequence.StandardKey.Quit],
                 slot=self.quit_app, role=QAction.MenuRole.QuitRole)
        a.define("toggle_library", self.tr("Library pane"), section=view, shortcuts=["F9"], icon="sidebar",
                 checkable=True, tip=self.tr("Show or hide the library"), slot=self._library_toggled)
        a.define("toggle_details", self.tr("Story details"), section=view, shortcuts=["Ctrl+I"], icon="info",
                 checkable=True, tip=self.tr("Show or hide the story's details above the text"),
                 slot=self._details_toggled)
        a.define("fullscreen", self.tr("Full-screen reader"), section=view, shortcuts=["F11"],
                 icon="fullscreen", checkable=True, tip=self.tr("Only the story, on the whole screen"),
                 slot=self._fullscreen_toggled)
        a.define("leave_fullscreen", self.tr("Leave full screen"), section=view, shortcuts=["Esc"],
                 slot=lambda: self.set_fullscreen(False))
        a.define("larger_text", self.tr("Larger text"), section=view,
                 shortcuts=[QKeySequence.StandardKey.ZoomIn, "Ctrl+="], slot=lambda: self.reader.zoom(1))
        a.define("smaller_text", self.tr("Smaller text"), section=view, shortcuts=[QKeySequence.StandardKey.ZoomOut],
                 slot=lambda: self.reader.zoom(-1))
        group = QActionGroup(self)
        for choice, text, icon in ((theme.SYSTEM, self.tr("Theme: as the system"), None),
                                   (theme.DAY, self.tr("Theme: day"), "sun"),
                                   (theme.NIGHT, self.tr("Theme: night"), "moon")):
            action = a.define(f"theme_{choice}", text, section=view, icon=icon, checkable=True,
                              slot=lambda c=choice: self.theme.set_choice(c))
            group.addAction(action)
        self.actions[f"theme_{self.theme.choice}"].setChecked(True)
        a.define("shortcuts", self.tr("Keyboard shortcuts"), section=help_, shortcuts=["Ctrl+/", "F1"],
                 slot=self.show_shortcuts)
        a.define("about", self.tr("About {0}").format(APP_TITLE), section=help_, slot=self.show_about)
        self.settings_action = a["settings"]
        self.new_child_action = a["new_child"]
        self.new_hero_action = a["new_hero"]
        self.quit_action = a["quit"]
        self.larger_text_action = a["larger_text"]
        self.smaller_text_action = a["smaller_text"]
        for value in range(1, 11):
            self.addAction(a[f"rate{value}"])  # keys only: not in a menu
        self.addAction(a["leave_fullscreen"])
        a.set_enabled("leave_fullscreen", False)
        a["toggle_library"].setChecked(self.ctx.settings.get_bool(cfg.UI_LIBRARY_VISIBLE))
        a["toggle_details"].setChecked(self.ctx.settings.get_bool(cfg.UI_DETAILS_VISIBLE))
        self.left_tabs.setVisible(a["toggle_library"].isChecked())

        self.file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._primary_anchor = self.file_menu.addSeparator()
        self.file_menu.addAction(a["new_child"])
        self.file_menu.addAction(a["new_hero"])
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["settings"])
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["quit"])
        self.story_menu = self.menuBar().addMenu(self.tr("&Story"))
        self.story_menu.addAction(a["favourite"])
        rate_menu = self.story_menu.addMenu(self.tr("Rate"))
        for value in range(10, 0, -1):
            rate_menu.addAction(a[f"rate{value}"])
        self.story_menu.addAction(a["delete"])
        self.story_menu.addSeparator()
        self.story_menu.addAction(a["search"])
        self.view_menu = self.menuBar().addMenu(self.tr("&View"))
        for name in ("toggle_library", "toggle_details", "fullscreen"):
            self.view_menu.addAction(a[name])
        self.view_menu.addSeparator()
        self.view_menu.addAction(a["larger_text"])
        self.view_menu.addAction(a["smaller_text"])
        self.view_menu.addSeparator()
        for choice in theme.CHOICES:
            self.view_menu.addAction(a[f"theme_{choice}"])
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.tasks_dock.toggleViewAction())
        self.help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.help_menu.addAction(a["shortcuts"])
        self.help_menu.addAction(a["about"])

        self.toolbar = self.addToolBar(self.tr("Main"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(a["toggle_library"])
        self._icon_only(a["toggle_library"])
        self._toolbar_anchor = QAction(self)  # invisible: primary actions are inserted before it
        self._toolbar_anchor.setVisible(False)
        self.toolbar.addAction(self._toolbar_anchor)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        self.toolbar.addWidget(spacer)
        for name in ("favourite", "toggle_details", "fullscreen"):
            self.toolbar.addAction(a[name])
            self._icon_only(a[name])
        self.toolbar.addAction(a["settings"])
        self._icon_only(a["settings"])

    def _icon_only(self, action: QAction) -> None:
        button = self.toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def _update_actions(self) -> None:
        has_story = self.reader.story is not None
        rows = bool(self.library.list.selectionModel().selectedIndexes())
        for name in ("favourite", "delete", *(f"rate{v}" for v in range(1, 11))):
            self.actions.set_enabled(name, has_story or rows)
        favourite = bool(self.details.details and self.details.details.story.favourite)
        self.actions.set_icon("favourite", "heart-filled" if favourite else "heart")
        self.actions["favourite"].setText(self.tr("Remove from favourites") if favourite
                                          else self.tr("Add to favourites"))

    # -- extension points -----------------------------------------------------------------------------------------
    def add_primary_action(self, action: QAction) -> None:
        """Put ``action`` (e.g. "New story…") first in the File menu and the toolbar."""
        self.file_menu.insertAction(self._primary_anchor, action)
        self.toolbar.insertAction(self._toolbar_anchor, action)

    def add_center_page(self, widget: QWidget) -> int:
        return self.center.addWidget(widget)

    def show_center_page(self, widget: QWidget | None = None) -> None:
        """Show ``widget`` in the centre, or the reader when ``None``. A page other than the reader gets the
        whole width in a narrow window (the library pane steps aside until the reader is back)."""
        page = widget or self.reader_page
        self.center.setCurrentWidget(page)
        narrow = self.width() < NARROW_WIDTH
        self.left_tabs.setVisible(self.actions["toggle_library"].isChecked() and not self.isFullScreen()
                                  and (page is self.reader_page or not narrow))

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    # -- start ----------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin loading the lists (call once the event loop runs and the window is shown)."""
        self.library_features.search.load_children()
        self.library.start()
        self.children_panel.model.reload()
        self.heroes_panel.model.reload()
        self.bedtime.start()

    # -- intents ------------------------------------------------------------------------------------------------
    def new_child(self) -> None:
        self._show_library(True)
        self.left_tabs.setCurrentWidget(self.children_panel)
        self.children_panel.add()

    def new_hero(self) -> None:
        self._show_library(True)
        self.left_tabs.setCurrentWidget(self.heroes_panel)
        self.heroes_panel.add()

    def focus_search(self) -> None:
        self._show_library(True)
        self.left_tabs.setCurrentWidget(self.library)
        search = self.library_features.filters.search
        search.setFocus()
        search.selectAll()

    def _library_focused(self) -> bool:
        focus = QApplication.focusWidget()
        view = self.library.list
        return focus is not None and (focus is view or view.isAncestorOf(focus)) and bool(
            self.library_features.selected_rows())

    def toggle_favourite(self) -> None:
        """Ctrl+D: the selected rows while the library list has the focus, else the story in the reader."""
        if self._library_focused():
            self.library_features.toggle_favourite()
        else:
            self.details.toggle_favourite()

    def rate(self, rating: int) -> None:
        if self._library_focused():
            self.library_features.rate_selected(rating)
        else:
            self.details.rate(rating)

    def delete_story(self) -> None:
        if self._library_focused():
            self.library_features.delete_selected()
        elif self.reader.story is not None:
            story = self.reader.story
            self.library_features.actions.delete([{"id": story.id, "title": story.title}])

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SettingsDialog(self.ctx, self, theme_manager=self.theme)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.refresh_banner)
        dialog.saved.connect(self.settings_saved)
        dialog.destroyed.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        self.settings_opened.emit(dialog)
        dialog.open()
        return dialog

    def refresh_banner(self) -> None:
        """Work out which services lack keys off the loop thread (keys live in the keyring), then show."""
        self.ctx.tasks.spawn(asyncio.to_thread(missing_services, self.ctx.settings), name="banner.check",
                             title=self.tr("Checking the settings"), replace=True,
                             on_result=self.banner.show_missing)

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, self.tr("About {0}").format(APP_TITLE),
                          self.tr("<b>{0}</b> {1}<br>Personalized bedtime stories for your children."
                                  "<br><br>Library: {2}").format(APP_TITLE, __version__, self.ctx.settings.data_dir),
                          QMessageBox.StandardButton.Ok, self)
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_shortcuts(self) -> ShortcutsDialog:
        rows = self.actions.shortcut_rows()
        stories = self.tr("Stories")
        at = max((i for i, row in enumerate(rows) if row[0] == stories), default=len(rows) - 1) + 1
        rows.insert(at, (stories, self.tr("Rate 1 to 10"), self.tr("1 … 9, 0 for 10")))
        dialog = ShortcutsDialog(rows, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_story(self, story_id: str) -> None:
        """Show a story in the reader with its details (opening a new story marks it read)."""
        self.story.open(story_id)

    def _navigate(self, story_id: str) -> None:
        if not self.library.select_story(story_id):  # selecting it opens it; else it is filtered out
            self.open_story(story_id)

    def _continue_story(self, story_id: str) -> None:
        """"Continue the story…" from the library's menu: open it, then the compose form as its sequel."""
        if self.reader.story_id == story_id:
            self.storyteller_ui.continue_story()
            return

        def opened(details: StoryDetails) -> None:
            self.story.loaded.disconnect(opened)
            if details.story.id == story_id:
                self.storyteller_ui.continue_story()

        self.story.loaded.connect(opened)
        self.open_story(story_id)

    def _story_loaded(self, details: StoryDetails) -> None:
        first = self.reader.story_id != details.story.id
        self.reader.show_story(details.story)
        self.details.show_details(details)
        self.details.setVisible(self.actions["toggle_details"].isChecked() and not self.isFullScreen())
        if first:
            self.show_center_page(None)
        self._update_actions()

    def _story_closed(self) -> None:
        self.reader.clear()
        self.details.clear()
        self.details.hide()
        self._update_actions()

    def _story_written(self, story_id: str) -> None:
        """A story was saved: tell the parent when they are not watching it being written."""
        panel = self.storyteller_ui.panel
        watching = self.isActiveWindow() and self.center.currentWidget() is panel and panel.view.story_id == story_id
        if watching:
            return

        async def title() -> str:
            return (await self.ctx.library.get_story(story_id)).title

        def tell(text: str) -> None:
            text = text or self.tr("Your new story")
            self.ready_banner.show_ready(story_id, text)
            if not self.isActiveWindow():
                self.notify(self.tr("A story is ready"), self.tr("“{0}” is ready to read.").format(text))

        self.ctx.tasks.spawn(title(), name="ready.title", title=self.tr("Opening the story"), on_result=tell)

    def notify(self, heading: str, text: str) -> None:
        """A desktop notification (tray message where a tray exists; otherwise the taskbar entry asks for
        attention)."""
        if self.quiet:
            return  # bedtime mode: nothing lights up
        if self._tray is None and self.bedtime.tray is not None:
            self._tray = self.bedtime.tray
            self._tray.messageClicked.connect(self._bring_back)
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(app_icon(), self)
                self._tray.messageClicked.connect(self._bring_back)
            self._tray.show()
            self._tray.showMessage(heading, text, app_icon(), READY_NOTICE_MS)
        QApplication.alert(self)

    def _bring_back(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- view -----------------------------------------------------------------------------------------------------
    def _show_library(self, on: bool) -> None:
        if self.actions["toggle_library"].isChecked() != on:
            self.actions["toggle_library"].setChecked(on)
        self._library_toggled()

    def _library_toggled(self) -> None:
        on = self.actions["toggle_library"].isChecked()
        if on and self.center.currentWidget() is not self.reader_page:
            self.show_center_page(None)  # the parent asked for the library: back to reading
        self.left_tabs.setVisible(on and not self.isFullScreen())
        self._remember(cfg.UI_LIBRARY_VISIBLE, on)

    def _details_toggled(self) -> None:
        on = self.actions["toggle_details"].isChecked()
        self.details.setVisible(on and self.details.details is not None and not self.isFullScreen())
        self._remember(cfg.UI_DETAILS_VISIBLE, on)

    def _fullscreen_toggled(self) -> None:
        self.set_fullscreen(self.actions["fullscreen"].isChecked())

    def set_fullscreen(self, on: bool) -> None:
        """The full-screen reader: only the text (and the player bar); Esc or F11 leaves it."""
        if on:
            self.show_center_page(None)
            self.showFullScreen()
        else:
            self.showNormal()
        self.actions["fullscreen"].setChecked(on)
        self.actions.set_enabled("leave_fullscreen", on)
        for widget in (self.toolbar, self.menuBar(), self.statusBar()):
            widget.setVisible(not on)
        if on:
            self.left_tabs.hide()
            self.details.hide()
            self.tasks_dock.hide()
        else:
            self._library_toggled()
            self._details_toggled()

    def _remember(self, key: cfg.Key, on: bool) -> None:
        try:
            self.ctx.settings.set(key, "1" if on else "0")
        except Exception:  # a read-only config folder must not break the view
            log.warning("Could not remember the view", exc_info=True)

    def _tasks_activity(self, active: bool) -> None:
        if active and not self.isFullScreen():
            self.tasks_dock.show()
        elif not active and not self.tasks_dock.isFloating():
            self.tasks_dock.hide()

    def _fit_tasks_dock(self, _rows: int) -> None:
        """The dock follows the number of jobs, once per loop turn (rows that come and go together re-lay out the
        window once), and only when its height changes."""
        if not self._tasks_fit_pending:
            self._tasks_fit_pending = True
            QTimer.singleShot(0, self, self._fit_tasks_dock_now)

    def _fit_tasks_dock_now(self) -> None:
        self._tasks_fit_pending = False
        if not self.tasks_dock.isFloating():
            height = min(self.tasks_panel.preferred_height(), max(90, self.height() // 4))
            if height != self.tasks_dock.height():
                self.resizeDocks([self.tasks_dock], [height], Qt.Orientation.Vertical)

    def _update_status(self) -> None:
        model = self.library.model
        if model.loading and model.rowCount() == 0:
            self.status_label.setText(self.tr("Loading the library…"))
            return
        if model.exhausted:
            self._show_count(model.rowCount())
            return
        self.ctx.tasks.spawn(self.ctx.library.count_stories(model.query), name="library.count",
                             title=self.tr("Counting stories"), replace=True, on_result=self._show_count)

    def _show_count(self, count: int) -> None:
        searching = self.library.model.query != StoryQuery()
        if searching:
            text = self.tr("Found {0}").format(formatting.stories_text(count))
        else:
            text = self.tr("{0} in the library").format(formatting.stories_text(count))
        self.status_label.setText(text)

    # -- window layout ------------------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.ctx.settings.get(cfg.UI_WINDOW_GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        state = self.ctx.settings.get(cfg.UI_WINDOW_STATE)
        if state:
            self.restoreState(QByteArray.fromBase64(state.encode("ascii")))
            self.tasks_dock.hide()  # it shows itself while something runs

    def _save_layout(self) -> None:
        try:
            self.ctx.settings.set(cfg.UI_WINDOW_GEOMETRY, bytes(self.saveGeometry().toBase64()).decode("ascii"))
            self.ctx.settings.set(cfg.UI_WINDOW_STATE, bytes(self.saveState().toBase64()).decode("ascii"))
        except Exception:  # a read-only config folder must not stop the app from closing
            log.warning("Could not remember the window layout", exc_info=True)

    # -- closing ------------------------------------------------------------------------------------------------
    def writing(self) -> int:
        """How many stories are being written now."""
        return sum(1 for handle in self.storyteller_ui.panel.handles if handle.running)

    def quit_app(self) -> None:
        self.quit_requested = True
        if not self.close():
            self.quit_requested = False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.bedtime.hides_to_tray():  # a story plays: it goes on from the tray
            event.ignore()
            return
        if self.writing() and not self._quit_confirmed:
            event.ignore()
            self._ask_quit()
            return
        self.undo_bar.finalize()  # a deletion still offering Undo becomes final
        self._save_layout()
        self.story.shutdown()
        self.bedtime.close()
        self.recording.close()
        self.narration.close()
        event.accept()
        self.closed.emit()

    def _ask_quit(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("A story is still being written"),
                          self.tr("Quit anyway? What is written so far is kept as a draft in the library, "
                                  "and you can continue it later."), QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("quitWhileWriting")
        quit_button = box.addButton(self.tr("Quit"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep writing"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is quit_button:
                self._quit_confirmed = True
                self.quit_app()

        box.finished.connect(answered)
        box.open()
        return box

