"""Calendar feeds. Importing the package installs the change tracking every worker relies on."""

from app.feeds import changes

changes.install()
