"""Understanding what a citizen means, apart from what the service does about it: pure
functions of the text (and an explicit context) to a reading, tested without the app
or the store. Word lists are data files beside the code, one per subject; the words of
commands and answers that handlers/vocabulary.py reads are words.id.toml, words.en.toml
and words.toml (digits, emoji), one per language.

One module per subject: emergencies (emergency.py), which come before everything else;
the table of intents (reading.py) and what it reads: ratings, questions, short requests
(requests.py), a status asked (status_request.py), reopening, a facilitator's commands
(facilitator_command.py), a problem told (story.py), a category guessed from it, a
report number named (report_numbers.py, by its shape). The handlers act on the reading;
nothing here imports them, nor the store (tests/test_import_rules.py)."""
