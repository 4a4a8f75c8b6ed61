from __future__ import annotations

from inmyhead_app.core.jobs.model import JobState
from inmyhead_app.gui.job_notices import batch_notice, failures_notice
from inmyhead_app.gui.notifications import Level
from tests.gui.factories import make_job


def test_one_failure_names_its_reason_several_name_their_files():
    one = make_job(JobState.FAILED, path="/docs/locked.pdf", error_kind="encrypted", error_message="Locked.")
    assert failures_notice([one]) == ("1 document failed", "locked.pdf: Locked.")
    many = [make_job(JobState.FAILED, path=f"/docs/{n}.pdf", error_kind="corrupt") for n in "abcd"]
    assert failures_notice(many) == ("4 documents failed", "a.pdf, b.pdf, c.pdf …")


def test_a_batch_says_what_became_of_its_documents():
    status = {"by_state": {"done": 12, "failed": 1, "cancelled": 2}}
    assert batch_notice(status, skipped=3, reembed=False) == (
        "12 indexed, 1 failed, 2 cancelled, 3 skipped (not a supported type).",
        Level.WARNING,
    )
    reembedded = batch_notice({"by_state": {"done": 5}}, skipped=0, reembed=True)
    assert reembedded == ("5 re-embedded.", Level.SUCCESS)
