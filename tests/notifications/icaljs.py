"""Read a calendar with ical.js, the parser inside many web calendar clients, in Node.

.ci/run installs it (``npm install --prefix .ci/icaljs ical.js@2``); locally the tests that
use it skip with the reason when Node or ical.js is missing, and fail under CI=true.
"""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.ci import need

ROOT = Path(__file__).resolve().parents[2]
ICALJS = ROOT / ".ci" / "icaljs" / "node_modules" / "ical.js" / "dist" / "ical.es5.cjs"

_READER = r"""
const ICAL = require(process.argv[1]);
const text = require('fs').readFileSync(0, 'utf8');
const root = new ICAL.Component(ICAL.parse(text));
for (const zone of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
const vevent = root.getFirstSubcomponent('vevent');
const event = new ICAL.Event(vevent);
const attendee = vevent.getFirstProperty('attendee');
const organizer = vevent.getFirstProperty('organizer');
console.log(JSON.stringify({
  method: root.getFirstPropertyValue('method'),
  uid: event.uid,
  sequence: event.sequence,
  status: vevent.getFirstPropertyValue('status'),
  start: event.startDate.toJSDate().toISOString(),
  end: event.endDate.toJSDate().toISOString(),
  tzid: event.startDate.zone && event.startDate.zone.tzid,
  attendee: attendee.getFirstValue(),
  partstat: attendee.getParameter('partstat'),
  organizer: organizer.getFirstValue(),
}));
"""


def read_with_icaljs(calendar: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not ICALJS.exists():
        reason = f"ical.js checks need Node and {ICALJS.relative_to(ROOT)} (.ci/run installs them)"
        need(reason)
    done = subprocess.run(
        [node, "-e", _READER, str(ICALJS)],
        input=calendar,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
