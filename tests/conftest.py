import os

import pytest

from tests import parts

_skipped: list[tuple[str, str]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for part in parts.PARTS:
            if item.get_closest_marker(part):
                reason = parts.missing(part)
                if reason:
                    item.add_marker(pytest.mark.skip(reason=f"needs {part}: {reason}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, str(reason)))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not _skipped or hasattr(config, "workerinput"):
        return
    terminalreporter.section("skipped for a missing system part")
    for nodeid, reason in sorted(set(_skipped)):
        terminalreporter.write_line(f"SKIPPED {nodeid}: {reason}")
    if os.environ.get("CI") == "true":
        terminalreporter.write_line("CI=true: a skipped test fails the run.", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and os.environ.get("CI") == "true" and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
