"""Fetching a source for the window, and what the window shows for each outcome.

``SourceRequests`` decides the order of things: validate the input before any request,
look the connector up after a source is shown, show one status sentence per outcome (and a
countdown while the client waits out a rate limit), mark the last result stale when a fetch
fails, save a renewed token, offer to follow a portal that moved, and emit ``fetch_done``
once when a fetch has ended. It remembers the last request (``record``) for Copy as cURL
and the support bundle.

The requests run on worker threads through ``fetch_worker.FetchController`` (``jobs``), one
at a time; the source picker's list (``source_picker.SourceListLoader``) runs through the
same controller, so a list and a fetch never renew one refresh token twice.

The window is the view: this module drives the widgets and prompts it names in
``RequestView`` and holds no widget of its own. Imported at the first request, not for the
first paint.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ..core.errors import InspectorError, InvalidCredential, InvalidSourceId, Redirected
from ..core.formatting import local_clock, seconds
from ..core.inputs import parse_source_id
from ..core.masking import safe_text
from ..core.options import RequestOptions
from ..core.outline import LOOKUP_CANCELLED, LOOKUP_FAILED, ConnectorState
from ..core.profile_session import READING_KEYCHAIN
from ..i18n import _, ngettext
from .fetch_worker import WINDOW_OPERATION_LIMIT_WAIT, FetchController, Job, JobKind, Outcome
from .request_record import RequestRecord

if TYPE_CHECKING:
    from ..core.client import WaitNotice
    from ..core.connector import ConnectorReport
    from ..core.credentials import Credential, OAuthCredential
    from ..core.model import Source
    from .credentials_panel import CredentialsPanel
    from .source_id_row import SourceIdRow
    from .source_tree import SourceTreeView

SOURCE_GET = "biconnector.source.get"


class RequestView(Protocol):
    """What ``SourceRequests`` drives: the window's parts, and its prompt."""

    @property
    def credentials_panel(self) -> CredentialsPanel: ...
    @property
    def id_row(self) -> SourceIdRow: ...
    @property
    def source_tree(self) -> SourceTreeView: ...
    @property
    def stale_banner(self) -> QLabel: ...
    @property
    def connector_banner(self) -> QLabel: ...
    @property
    def limits_label(self) -> QLabel: ...
    @property
    def status_line(self) -> QLabel: ...

    def portal_name(self, credential: Credential) -> str: ...

    def confirm_move(self, new_origin: str) -> bool: ...


def _duration(seconds: int) -> str:
    if seconds < 90:
        return _("{seconds} s").format(seconds=seconds)
    return _("{minutes} min {seconds} s").format(
        minutes=seconds // 60, seconds=f"{seconds % 60:02d}"
    )


def wait_text(notice: WaitNotice, retries: int, *, now: float | None = None) -> str:
    """The countdown sentence for a wait the client announced."""
    remaining = max(0, math.ceil(notice.until - (time.time() if now is None else now)))
    if notice.reason == "rate_limit":
        if remaining:
            text = _("Rate-limited: retry {attempt} of {retries} in {duration}… (Esc to cancel)")
        else:
            text = _("Rate-limited: retry {attempt} of {retries} now… (Esc to cancel)")
    elif remaining:
        text = _(
            "The portal's operating limit blocks {method} for now: retrying in {duration}… "
            "(Esc to cancel)"
        )
    else:
        text = _(
            "The portal's operating limit blocks {method} for now: retrying now… (Esc to cancel)"
        )
    return text.format(
        attempt=notice.attempt,
        retries=retries,
        method=notice.method,
        duration=_duration(remaining),
    )


def limits_text(source: Source) -> str | None:
    """The operating-limit line for a shown source, or None when its answer has none."""
    info = source.time
    if info is None or (info.operating is None and info.operating_reset_at is None):
        return None
    parts = []
    if info.operating is not None:
        parts.append(_("{seconds} used").format(seconds=seconds(info.operating)))
    if info.operating_reset_at is not None:
        clock = local_clock(info.operating_reset_at)
        parts.append(
            _("resets at {time}").format(time=clock) if clock else _("reset time out of range")
        )
    return _("Operating limit: {details}").format(details=_(", ").join(parts))


class SourceRequests(QObject):
    """Fetches sources and their connectors for the window (see the module docstring)."""

    fetch_done = Signal()
    connector_done = Signal()
    countdown_ticked = Signal(object, str)  # Job, the countdown sentence
    """Each second of a wait the client announced (the status line shows it too)."""

    def __init__(self, view: RequestView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._options: RequestOptions | None = None
        self._fetch_no = 0
        self._fetch_job: Job | None = None
        self._fetching_id: int | None = None
        self._fetching_secrets: tuple[str, ...] = ()
        self._shown_id: int | None = None
        self._connector_job: Job | None = None
        self._connector_due: int | None = None  # the fetch whose lookup starts next turn
        self._wait: tuple[Job, WaitNotice] | None = None
        self._closing = False
        self._awaiting_keychain: int | None = None  # a fetch waiting for the saved credential
        self.record: RequestRecord | None = None
        """The last request, for Copy as cURL and the support bundle (None: none yet)."""

        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(1000)
        self.countdown_timer.timeout.connect(self._show_countdown)

        self.jobs = FetchController(self)
        """Runs the requests, one at a time (the source list's too)."""
        self.jobs.succeeded.connect(self._on_job_succeeded)
        self.jobs.failed.connect(self._on_job_failed)
        self.jobs.waiting.connect(self._on_job_waiting)
        self.jobs.renewed.connect(self._on_credential_renewed)

    # --- options and state -------------------------------------------------------------

    @property
    def options(self) -> RequestOptions:
        """Timeouts, retries and waits for the next request (the profile adds the network)."""
        if self._options is None:
            return RequestOptions(operation_limit_wait=WINDOW_OPERATION_LIMIT_WAIT)
        return self._options

    @options.setter
    def options(self, options: RequestOptions) -> None:
        self._options = options

    def is_live(self, job: Job | None) -> bool:
        return job is not None and self.jobs.is_live(job)

    @property
    def connector_pending(self) -> bool:
        """Whether the shown source's connector lookup is under way or about to start."""
        return self.is_live(self._connector_job) or self._connector_due is not None

    @property
    def is_fetching(self) -> bool:
        return self.is_live(self._fetch_job)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What the running or last fetch must keep out of every message."""
        return self._fetching_secrets

    def start_job(
        self,
        kind: JobKind,
        credential: Credential,
        argument: int | str | None,
        compare_with: Source | None = None,
    ) -> Job:
        """Queue a request with the current profile's network settings."""
        panel = self._view.credentials_panel
        job = Job(
            kind=kind,
            credential=credential,
            argument=argument,
            options=self._options,
            network=panel.network_settings(),
            renew=credential.kind == "oauth" and credential.can_refresh,
            profile=panel.current_profile,
            compare_with=compare_with,
        )
        return self.jobs.start(job)

    # --- fetching ----------------------------------------------------------------------

    def fetch(self, source_id: int | str | None = None) -> None:
        """Fetch *source_id*, or the ID typed in the field (see ``MainWindow.fetch``)."""
        if self._closing:
            return
        view = self._view
        edit = view.id_row.source_id_edit
        if source_id is not None:
            edit.setText(str(source_id))
        text = str(source_id) if source_id is not None else edit.text()
        self.jobs.cancel("fetch")
        self.stop_countdown()
        self._fetch_no += 1
        number = self._fetch_no
        self._awaiting_keychain = None
        self._connector_due = None
        self._fetching_id = None
        self._fetch_job = None

        try:
            parsed_id = parse_source_id(text)
        except InvalidSourceId as exc:
            self._end_without_request(number, str(exc), edit)
            return
        panel = view.credentials_panel
        if panel.waits_for_keychain():
            self._fetch_when_ready(number, text)
            return
        panel.begin_start()  # the saved credential, if not read yet (typed fields win)
        credential = panel.credential()
        if credential is None:
            self._end_without_request(
                number,
                _("No usable credential: {problem}").format(problem=panel.problem),
                panel.first_field(),
            )
            return
        self._fetching_id = parsed_id
        self._fetching_secrets = credential.secrets()
        self._fetch_job = self.start_job("source", credential, parsed_id)
        self.record = RequestRecord(credential, SOURCE_GET, {"id": parsed_id})
        view.id_row.set_busy(True)
        self._show_status(
            _("Fetching source {id} from {portal}…").format(
                id=parsed_id, portal=view.portal_name(credential)
            )
        )

    def _fetch_when_ready(self, number: int, text: str) -> None:
        """The saved credential is still being read: fetch once it is in (a newer fetch,
        or a cancel, drops this one)."""
        panel = self._view.credentials_panel
        panel.begin_start()
        if not panel.waits_for_keychain():  # nothing needed reading after all
            self.fetch(text)
            return

        def when_ready() -> None:
            panel.ready.disconnect(when_ready)
            if number == self._awaiting_keychain and not self._closing:
                self._awaiting_keychain = None
                self.fetch(text)

        panel.ready.connect(when_ready)
        self._awaiting_keychain = number
        self._view.id_row.set_busy(True)
        self._show_status(_(READING_KEYCHAIN))

    def cancel(self) -> bool:
        """Cancel the running fetch or connector lookup; False if neither was running."""
        self.stop_countdown()
        if self._awaiting_keychain is not None:
            self._awaiting_keychain = None
            self._view.id_row.set_busy(False)
            self._show_status(_("Cancelled the fetch."))
            self._emit_done_later(self._fetch_no)
            return True
        if self.is_fetching:
            self.jobs.cancel("fetch")
            self._view.id_row.set_busy(False)
            self._show_status(_("Cancelled the fetch of source {id}.").format(id=self._fetching_id))
            self._fetching_id = None
            self._emit_done_later(self._fetch_no)
            return True
        if self.is_live(self._connector_job) or self._connector_due is not None:
            self._connector_due = None
            self.jobs.cancel("fetch")
            self._view.source_tree.show_connector(ConnectorState(note=LOOKUP_CANCELLED))
            self._show_status(_("Stopped looking up the connector."))
            self.connector_done.emit()
            return True
        return False

    def reset(self) -> None:
        """Another portal: nothing shown or running belongs to it."""
        self.jobs.cancel()
        self.jobs.forget_connections()
        self.stop_countdown()
        self._awaiting_keychain = None
        self._connector_due = None
        self._view.id_row.set_busy(False)
        self._shown_id = self._fetching_id = None
        self.record = None

    def shutdown(self, wait_ms: int) -> None:
        """The window closes: cancel, accept no more results, wait (bounded) for the threads;
        a token renewed meanwhile is still saved."""
        self._closing = True
        self.stop_countdown()
        self.jobs.shutdown(wait_ms)

    def _show_status(self, text: str) -> None:
        self._view.status_line.setText(text)

    def _end_without_request(self, number: int, message: str, focus: QWidget) -> None:
        self._view.id_row.set_busy(False)
        self._show_status(message)
        focus.setFocus()
        self._emit_done_later(number)

    def _emit_done_later(self, number: int) -> None:
        # Deferred so that a caller can connect after fetch()/cancel() returned, and dropped
        # when a newer fetch started in the meantime (that one will emit).
        QTimer.singleShot(0, self, lambda: self._emit_done_if_current(number))

    def _emit_done_if_current(self, number: int) -> None:
        if number == self._fetch_no and not self.is_fetching:
            self.fetch_done.emit()

    # --- waits ---------------------------------------------------------------------------

    def waiting_job(self) -> Job | None:
        return self._wait[0] if self._wait is not None else None

    def _on_job_waiting(self, job: Job, notice: WaitNotice) -> None:
        self._wait = (job, notice)
        self._show_countdown()
        self.countdown_timer.start()

    def _show_countdown(self) -> None:
        if self._wait is None:
            self.countdown_timer.stop()
            return
        job, notice = self._wait
        if not self.is_live(job):
            self.stop_countdown()
            return

        retries = (job.options or RequestOptions()).retries
        text = wait_text(notice, retries)
        self.countdown_ticked.emit(job, text)
        self._show_status(text)

    def stop_countdown(self, job: Job | None = None) -> None:
        """Stop the countdown (only if it counts for *job*, when given)."""
        if job is not None and self.waiting_job() is not job:
            return
        self._wait = None
        self.countdown_timer.stop()

    # --- outcomes ----------------------------------------------------------------------

    def _on_job_succeeded(self, job: Job, outcome: Outcome) -> None:
        if job.kind == "source":
            self._on_source_fetched(job, outcome)
        elif job.kind == "connector":
            self._on_connector_found(job, outcome)

    def _on_job_failed(self, job: Job, error: InspectorError) -> None:
        self.stop_countdown(job)
        if job.kind == "source":
            self._on_fetch_failed(job, error)
        elif job.kind == "connector":
            self._on_connector_failed(error)

    def _on_credential_renewed(self, job: Job, credential: OAuthCredential) -> None:
        """A worker renewed the OAuth token: keep the new tokens (the old refresh token is
        void) in the fields and, for a saved profile, in the keychain."""
        self._fetching_secrets = (*self._fetching_secrets, *credential.secrets())
        self._view.credentials_panel.store_renewed(job.profile, job.credential, credential)
        if self.record is not None and self.record.credential == job.credential:
            self.record.credential = credential

    def _on_source_fetched(self, job: Job, outcome: Outcome) -> None:
        view = self._view
        source: Source = outcome.result
        source_id = self._fetching_id
        self.stop_countdown()
        view.id_row.set_busy(False)
        view.source_tree.show_source(source, self._fetching_secrets)
        view.stale_banner.setVisible(False)
        view.connector_banner.setVisible(False)
        self._shown_id = source_id
        if self.record is not None:
            self.record.source = source
            self.record.request_id = outcome.request_id
        if source_id is not None:
            view.id_row.remember_id(source_id)  # only IDs that led to a source
        # The source's own values through its set prepared on the worker: building one
        # here for 50,000 settings blocked the window ~200 ms.
        own_hidden = safe_text(source.connection.title or "", source.distinctive_set())
        title = safe_text(own_hidden, self._fetching_secrets, max_len=120)
        count = len(source.settings)
        if count == 0:
            settings = _("no settings")
        else:
            settings = ngettext(
                "{n} setting, value hidden (select it and press Ctrl+R to reveal it)",
                "{n} settings, values hidden (select one and press Ctrl+R to reveal it)",
                count,
            ).format(n=count)
        named = _("Source {id} “{title}”: {settings}.")
        shown = named if title else _("Source {id}: {settings}.")
        self._show_status(shown.format(id=source_id, title=title, settings=settings))
        limits = limits_text(source)
        view.limits_label.setText(limits or "")
        view.limits_label.setVisible(limits is not None)
        self._fetching_id = None
        if source.connector_id is not None:
            # Once the source is drawn: the lookup's parse would compete with that paint.
            credential, number = outcome.credential, self._fetch_no
            self._connector_due = number
            view.source_tree.when_drawn(lambda: self._look_up_connector(number, credential))
        self.fetch_done.emit()

    def _look_up_connector(self, number: int, credential: Credential) -> None:
        source = self._view.source_tree.source_model.source
        if number != self._connector_due or self._closing or source is None:
            return  # a newer fetch, a cancel, a reset or a close came first
        self._connector_due = None
        if source.connector_id is not None:
            self._connector_job = self.start_job(
                "connector", credential, source.connector_id, compare_with=source
            )

    def _on_connector_found(self, job: Job, outcome: Outcome) -> None:
        view = self._view
        source = view.source_tree.source_model.source
        if source is None or source is not job.compare_with:
            return
        report: ConnectorReport = outcome.result  # compared on the worker's thread
        view.source_tree.show_connector(ConnectorState(report))
        if self.record is not None and source is self.record.source:
            self.record.report = report
        if report.plain_http_endpoints:
            title = safe_text(report.title, self._fetching_secrets, max_len=120)
            view.connector_banner.setText(
                _(
                    "⚠ The connector “{title}” uses plain http:// endpoints: Bitrix24 sends "
                    "this source's settings, credentials included, to them unencrypted. See "
                    "Connector › Warnings below."
                ).format(title=title)
            )
            view.connector_banner.setVisible(True)
        self.connector_done.emit()

    def _on_connector_failed(self, error: InspectorError) -> None:
        view = self._view
        view.source_tree.show_connector(ConnectorState(note=LOOKUP_FAILED))
        message = safe_text(str(error), self._fetching_secrets, max_len=400)
        self._show_status(
            view.status_line.text()
            + " "
            + _("The connector could not be looked up: {reason}").format(reason=message)
        )
        self.connector_done.emit()

    def _on_fetch_failed(self, job: Job, error: InspectorError) -> None:
        view = self._view
        panel = view.credentials_panel
        source_id = self._fetching_id
        view.id_row.set_busy(False)
        if self.record is not None:
            self.record.error = error
        new_origin = error.new_origin if isinstance(error, Redirected) else None
        if (
            new_origin
            and panel.current_profile is not None
            and job.credential == panel.credential()
            and view.confirm_move(new_origin)
        ):
            message = panel.move_to(new_origin)
            self.fetch(job.argument)  # replaces this fetch: only the new one emits fetch_done
            fetching = _("Fetching source {id} there…").format(id=job.argument)
            self._show_status(f"{message} {fetching}")
            return
        # The core's messages are already redacted and sanitised; once more costs nothing.
        self._show_status(safe_text(str(error), self._fetching_secrets))
        model = view.source_tree.source_model
        if model.source is not None:
            model.set_stale(True)
            view.stale_banner.setText(
                _(
                    "Stale: the last fetch (source {failed_id}) failed. Below is source "
                    "{shown_id} from an earlier fetch."
                ).format(failed_id=source_id, shown_id=self._shown_id)
            )
            view.stale_banner.setVisible(True)
        self._fetching_id = None
        if isinstance(error, InvalidCredential):
            panel.first_field().setFocus()
        self.fetch_done.emit()
