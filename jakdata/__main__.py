from jakdata.cli import entry

entry()
