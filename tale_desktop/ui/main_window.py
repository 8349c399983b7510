"""The main window: library and profiles on the left, the reader in the centre, the tasks panel docked below.

Extension points for later capabilities (none of them is built here):
- :meth:`MainWindow.add_primary_action` puts an action first in the File menu and the toolbar ("New story…").
- :meth:`MainWindow.add_center_page` / :meth:`show_center_page` host a page next to the reader (compose form).
- ``reader.add_bottom_widget`` hosts the player bar under the text (``self.narration``, see ``narration_ui``).
- :meth:`MainWindow.add_status_widget` puts a permanent indicator in the status bar (sync status).
- ``settings_opened`` hands every new Settings dialog to listeners (an Account section via ``add_section``).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tale_desktop import APP_TITLE, __version__
from tale_desktop import settings as cfg
from tale_desktop.context import AppContext
from tale_desktop.domain.query import StoryQuery
from tale_desktop.resources_path import resource
from tale_desktop.ui.library_panel import LibraryFeatures
from tale_desktop.ui.library_view import LibraryView, StoryListModel
from tale_desktop.ui.narration_ui import install_narration
from tale_desktop.ui.profiles import ChildrenPanel, HeroesPanel
from tale_desktop.ui.reader import ReaderPane
from tale_desktop.ui.settings_dialog import SettingsDialog
from tale_desktop.ui.story_details import StoryDetailsPanel
from tale_desktop.ui.tasks_panel import TasksPanel

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "tale-desktop.svg")))


def missing_services(settings: cfg.Settings) -> list[tuple[str, str]]:
    """(service, what its key unlocks) for every service that is not configured yet."""
    missing = []
    if not settings.llm_configured:
        missing.append(("Stories", "add an OpenRouter API key, or the address of a local OpenAI-compatible "
                                   "server, to write new stories. The starter stories can be read right now."))
    if not settings.elevenlabs_configured:
        missing.append(("Natural voices", "an ElevenLabs key reads stories aloud with natural voices; the "
                                          "offline voice works without it."))
    if not settings.supabase_configured:
        missing.append(("Sync", "a Supabase project keeps your library in step across the family's devices "
                                "(optional)."))
    return missing


class FirstRunBanner(QFrame):
    """Says plainly what each missing key unlocks, with a button to Settings; hidden when all is configured.

    Starts hidden; :meth:`MainWindow.refresh_banner` fills it once the keys were looked up.
    """

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstRunBanner")
        self.heading = QLabel("Welcome to Tale Desktop")
        self.heading.setObjectName("bannerHeading")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.settings_button = QPushButton("Open Settings…")
        self.settings_button.setObjectName("bannerButton")
        self.settings_button.clicked.connect(self.settings_requested)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip("Hide until the next start")
        self.dismiss_button.setAccessibleName("Hide the welcome message")
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


class MainWindow(QMainWindow):
    closed = Signal()
    continue_story_requested = Signal(str)  # "Continue the story…" in the library's menu (the compose form)
    settings_opened = Signal(object)  # a new SettingsDialog (later capabilities add sections to it)
    settings_saved = Signal()  # keys or addresses may have changed

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)
        self.settings_dialog: SettingsDialog | None = None

        # Left: library and profiles.
        self.library = LibraryView(ctx)
        self.children_panel = ChildrenPanel(ctx)
        self.heroes_panel = HeroesPanel(ctx)
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.addTab(self.library, "Library")
        self.left_tabs.addTab(self.children_panel, "Children")
        self.left_tabs.addTab(self.heroes_panel, "Heroes")
        self.left_tabs.setMinimumWidth(280)
        # Search, filters, sort, row painting, multi-select, context menu, keys and delete-with-undo.
        self.library_features = LibraryFeatures(ctx, self.library.list, self.library.model,
                                                id_role=StoryListModel.IdRole,
                                                summary_role=StoryListModel.SummaryRole, count=False)
        self.library.add_top_widget(self.library_features.filters)
        self.undo_bar = self.library_features.undo_bar

        # Centre: the reader (other pages such as the compose form join this stack).
        self.reader = ReaderPane(ctx)
        self.center = QStackedWidget()
        self.center.setObjectName("center")
        self.center.addWidget(self.reader)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.center)
        # Right: the details of the story in the reader (rating, status, favourite, sequel chain).
        self.details = StoryDetailsPanel(ctx)
        self.details.setMinimumWidth(230)
        self.details.setMaximumWidth(340)
        self.details.hide()
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([340, 600, 240])
        self.splitter.setChildrenCollapsible(False)

        self.banner = FirstRunBanner()
        self.banner.settings_requested.connect(self.open_settings)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(8, 8, 8, 0)
        column.setSpacing(8)
        column.addWidget(self.banner)
        column.addWidget(self.splitter, 1)
        column.addWidget(self.undo_bar)
        self.setCentralWidget(central)

        # Tasks panel.
        self.tasks_panel = TasksPanel(ctx.tasks)
        self.tasks_dock = QDockWidget("Tasks", self)
        self.tasks_dock.setObjectName("tasksDock")
        self.tasks_dock.setWidget(self.tasks_panel)
        self.tasks_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                    | QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.tasks_dock)
        self.resizeDocks([self.tasks_dock], [120], Qt.Orientation.Vertical)
        self.tasks_dock.hide()  # appears while something runs (View > Tasks shows it any time)
        self.tasks_panel.activity_changed.connect(self._tasks_activity)
        self.tasks_panel.rows_changed.connect(self._fit_tasks_dock)

        self._build_actions()
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.library.model.loading_changed.connect(self._update_status)
        self.library.model.refreshed.connect(self._update_status)

        self._restore_layout()
        # Opening goes through the details panel: it marks a new story read, then the reader shows the text.
        self.library.story_selected.connect(self.open_story)
        self.library_features.actions.open_requested.connect(self.open_story)
        self.library_features.actions.continue_requested.connect(self.continue_story_requested)
        self.details.story_opened.connect(self._story_opened)
        self.details.navigate_requested.connect(self.library.select_story)
        self._unsubscribe = ctx.library.subscribe(self._on_library_change)
        # Listening: player bar under the reader, Listen menu, Play action, read-along.
        self.narration = install_narration(self)
        self.refresh_banner()

        # Capabilities plug in through the extension points above.
        from tale_desktop.ui import compose

        self.storyteller_ui = compose.install(self)
        self.continue_story_requested.connect(self._continue_story)

    # -- actions ------------------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.new_child_action = QAction("New child…", self)
        self.new_child_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.new_child_action.triggered.connect(self.new_child)
        self.new_hero_action = QAction("New hero…", self)
        self.new_hero_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.new_hero_action.triggered.connect(self.new_hero)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(f"About {APP_TITLE}", self)
        self.about_action.triggered.connect(self.show_about)

        self.file_menu = self.menuBar().addMenu("&File")
        self._primary_anchor = self.file_menu.addSeparator()
        self.file_menu.addAction(self.new_child_action)
        self.file_menu.addAction(self.new_hero_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.larger_text_action = QAction("Larger text", self)
        self.larger_text_action.setShortcuts([QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")])
        self.larger_text_action.triggered.connect(lambda: self.reader.zoom(1))
        self.smaller_text_action = QAction("Smaller text", self)
        self.smaller_text_action.setShortcut(QKeySequence.StandardKey.ZoomOut)
        self.smaller_text_action.triggered.connect(lambda: self.reader.zoom(-1))
        self.view_menu = self.menuBar().addMenu("&View")
        self.view_menu.addAction(self.larger_text_action)
        self.view_menu.addAction(self.smaller_text_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.tasks_dock.toggleViewAction())
        self.help_menu = self.menuBar().addMenu("&Help")
        self.help_menu.addAction(self.about_action)

        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._toolbar_anchor = QAction(self)  # invisible: primary actions are inserted before it
        self._toolbar_anchor.setVisible(False)
        self.toolbar.addAction(self._toolbar_anchor)
        self.toolbar.addAction(self.new_child_action)
        self.toolbar.addAction(self.new_hero_action)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.settings_action)

    # -- extension points -----------------------------------------------------------------------------------------
    def add_primary_action(self, action: QAction) -> None:
        """Put ``action`` (e.g. "New story…") first in the File menu and the toolbar."""
        self.file_menu.insertAction(self._primary_anchor, action)
        self.toolbar.insertAction(self._toolbar_anchor, action)

    def add_center_page(self, widget: QWidget) -> int:
        return self.center.addWidget(widget)

    def show_center_page(self, widget: QWidget | None = None) -> None:
        """Show ``widget`` in the centre, or the reader when ``None``."""
        self.center.setCurrentWidget(widget or self.reader)

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    # -- start ----------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin loading the lists (call once the event loop runs and the window is shown)."""
        self.library_features.search.load_children()
        self.library.start()
        self.children_panel.model.reload()
        self.heroes_panel.model.reload()

    # -- intents ------------------------------------------------------------------------------------------------
    def new_child(self) -> None:
        self.left_tabs.setCurrentWidget(self.children_panel)
        self.children_panel.add()

    def new_hero(self) -> None:
        self.left_tabs.setCurrentWidget(self.heroes_panel)
        self.heroes_panel.add()

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SettingsDialog(self.ctx, self)
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
                             title="Checking the settings", replace=True, on_result=self.banner.show_missing)

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APP_TITLE}",
                          f"<b>{APP_TITLE}</b> {__version__}<br>Personalized bedtime stories for your children."
                          f"<br><br>Library: {self.ctx.settings.data_dir}", QMessageBox.StandardButton.Ok, self)
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def open_story(self, story_id: str) -> None:
        """Show a story in the reader with its details (opening a new story marks it read)."""
        self.details.open_story(story_id)

    def _continue_story(self, story_id: str) -> None:
        """"Continue the story…" from the library's menu: open it, then the compose form as its sequel."""
        if self.reader.story_id == story_id:
            self.storyteller_ui.continue_story()
            return

        def opened(details: object) -> None:
            self.details.story_opened.disconnect(opened)
            if self.reader.story_id == story_id:
                self.storyteller_ui.continue_story()

        self.details.story_opened.connect(opened)
        self.open_story(story_id)

    def _story_opened(self, details: object) -> None:
        self.reader.show_story(details.story)  # type: ignore[attr-defined]
        self.details.show()
        self.show_center_page(None)

    def _on_library_change(self, kind: str, ids: list[str]) -> None:
        if kind in ("stories", "stories_purged") and self.reader.story_id in ids:
            self.reader.refresh()
            if self.reader.story_id is None or self.details.story_id is None:
                self.details.hide()

    def _tasks_activity(self, active: bool) -> None:
        if active:
            self.tasks_dock.show()
        elif not self.tasks_dock.isFloating():
            self.tasks_dock.hide()

    def _fit_tasks_dock(self, _rows: int) -> None:
        if not self.tasks_dock.isFloating():
            height = min(self.tasks_panel.preferred_height(), max(120, self.height() // 3))
            self.resizeDocks([self.tasks_dock], [height], Qt.Orientation.Vertical)

    def _update_status(self) -> None:
        model = self.library.model
        if model.loading and model.rowCount() == 0:
            self.status_label.setText("Loading the library…")
            return
        if model.exhausted:
            self._show_count(model.rowCount())
            return
        self.ctx.tasks.spawn(self.ctx.library.count_stories(model.query), name="library.count",
                             title="Counting stories", replace=True, on_result=self._show_count)

    def _show_count(self, count: int) -> None:
        searching = self.library.model.query != StoryQuery()
        noun = f"stor{'y' if count == 1 else 'ies'}"
        self.status_label.setText(f"{count} {noun} match" if searching else f"{count} {noun} in the library")

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
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.undo_bar.finalize()  # a deletion still offering Undo becomes final
        self._save_layout()
        self._unsubscribe()
        self.narration.close()
        event.accept()
        self.closed.emit()
