"""Understanding what a citizen means, apart from what the service does about it: pure
functions of the text (and an explicit context) to a reading, tested without the app
or the store. Word lists are data files beside the code, one per subject; the words of
commands and answers that handlers/vocabulary.py reads are words.id.toml, words.en.toml
and words.toml (digits, emoji), one per language.

reading.py is the table of what a message means, read after emergencies (emergency.py),
which come before everything else; the other modules are its readers."""
