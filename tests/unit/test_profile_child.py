"""The Data Package profile check in a child process (jakdata.validate.profile)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jakdata.package.descriptor import open_package
from jakdata.validate import profile


@pytest.mark.parametrize("background", [False, True])
def test_the_child_answers_as_this_process_does(background):
    package = open_package(None)
    descriptor, refused = profile.offline(package)
    descriptor["licenses"] = "CC-BY-4.0"  # not an array: one profile error to agree on
    expected = profile.messages(descriptor, str(package.root))
    assert expected and not refused
    assert profile.in_child(descriptor, str(package.root), background) == expected


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="POSIX process priorities")
def test_a_background_child_runs_ten_steps_nicer():
    own = os.getpriority(os.PRIO_PROCESS, 0)
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE) as child:
        profile._lower_priority(child.pid)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(19, own + 10)
        child.communicate(b"")
    profile._lower_priority(2**31 - 1)  # no such process: nothing raised
