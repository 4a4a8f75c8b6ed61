"""``inmyhead jobs|stats|cancel|retry|pause|resume``: look at and steer the job queue.

These commands only touch the jobs table and the queue, so they work while the app or a worker runs
on the same data folder: the running process picks the changes up at its next boundary.
"""

from __future__ import annotations

import argparse
import sys

from inmyhead_app.cli import add_common_options
from inmyhead_app.cli._common import open_for, print_json
from inmyhead_app.core.jobs.model import JobKind, JobState


def register(subparsers: argparse._SubParsersAction) -> None:
    jobs = subparsers.add_parser("jobs", help="list jobs")
    jobs.add_argument(
        "--state", choices=[str(s) for s in JobState], metavar="S", help="only jobs in this state"
    )
    jobs.add_argument("--json", action="store_true")
    add_common_options(jobs)
    jobs.set_defaults(handler=run_jobs)

    stats = subparsers.add_parser("stats", help="job statistics")
    stats.add_argument("--json", action="store_true")
    add_common_options(stats)
    stats.set_defaults(handler=run_stats)

    cancel = subparsers.add_parser("cancel", help="cancel a job, or all unfinished jobs")
    target = cancel.add_mutually_exclusive_group(required=True)
    target.add_argument("job_id", nargs="?", metavar="JOB_ID")
    target.add_argument("--all", action="store_true")
    add_common_options(cancel)
    cancel.set_defaults(handler=run_cancel)

    retry = subparsers.add_parser("retry", help="run a failed or cancelled job again, or all failed ones")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("job_id", nargs="?", metavar="JOB_ID")
    target.add_argument("--failed", action="store_true")
    add_common_options(retry)
    retry.set_defaults(handler=run_retry)

    for name, text in (("pause", "pause the queue (running jobs finish)"), ("resume", "resume the queue")):
        parser = subparsers.add_parser(name, help=text)
        add_common_options(parser)
        parser.set_defaults(handler=run_pause if name == "pause" else run_resume)


def run_jobs(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        records = core.jobs.list_jobs(args.state)
    finally:
        core.close()
    if args.json:
        print_json([r.to_dict() for r in records])
        return 0
    for r in records:
        stage = f" {r.stage}" if r.stage else ""
        error = f"  {r.error_kind}: {r.error_message}" if r.error_kind else ""
        what = "re-embed " if r.kind == JobKind.REEMBED else ""
        print(f"{r.id}  {r.state:<10}{stage:<15} p{r.priority} {r.chunks:>5} chunks  {what}{r.path}{error}")
    print(f"{len(records)} jobs")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        stats = core.jobs.get_statistics()
    finally:
        core.close()
    if args.json:
        print_json(stats)
        return 0
    print(f"jobs: {stats['total']}  " + "  ".join(f"{k}: {v}" for k, v in stats["by_state"].items()))
    if stats["success_rate"] is not None:
        print(f"success rate: {stats['success_rate']:.0%}")
    if stats["avg_duration_s"] is not None:
        print(f"average duration: {stats['avg_duration_s']:.1f} s")
    print(
        f"queue depth: {stats['queue_depth']}  documents/minute (last 5 min): {stats['docs_per_minute']:.1f}"
    )
    if stats["paused"]:
        print("the queue is paused")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        if args.all:
            print(f"cancelled {core.jobs.cancel_all()} jobs")
            return 0
        if not core.jobs.cancel_job(args.job_id):
            print(f"inmyhead: job {args.job_id} is not queued or running", file=sys.stderr)
            return 1
        print(f"cancelled {args.job_id}")
        return 0
    finally:
        core.close()


def run_retry(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        if args.failed:
            print(f"queued {core.jobs.retry_failed()} failed jobs again")
            return 0
        if not core.jobs.retry_job(args.job_id):
            print(f"inmyhead: job {args.job_id} has not failed or been cancelled", file=sys.stderr)
            return 1
        print(f"queued {args.job_id} again")
        return 0
    finally:
        core.close()


def run_pause(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        core.jobs.pause()
    finally:
        core.close()
    print("paused: no new jobs start until `inmyhead resume`")
    return 0


def run_resume(args: argparse.Namespace) -> int:
    core = open_for(args, with_store=False)
    try:
        core.jobs.resume()
    finally:
        core.close()
    print("resumed")
    return 0
