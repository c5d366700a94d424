"""The build: a programme folder in, a new release out (policygraph.app.release says what a release holds)."""

from policygraph.app.build.pipeline import STAGES, BuildSummary, WorkerDied, build
from policygraph.app.build.statements import Prepared, check_folder, validate_folder

__all__ = ["STAGES", "BuildSummary", "Prepared", "WorkerDied", "build", "check_folder", "validate_folder"]
