"""Test conversations: end-to-end dialogues that run the real actions.

Rasa's story tests (`rasa test`, `make test-stories`) check which action the policies predict,
never what the action server answers, so an action that says or books the wrong thing passes
them. These conversations are played by `make test-conversations` (part of `make test`) over the
REST channel against a Rasa server with the trained model, the real action server and a fresh
SQLite database (the calendar emptied before each conversation); each passes only when every
checked answer and the bookings at the end are as written.

Files: tests/conversations/*.yml, each with one key, `conversations`, a list of:

    - name: an all-in-one booking is confirmed    # unique in its file
      calendar:                                   # optional: busy events put in first
        - {title: Massage, date: next friday, start: "10:00", minutes: 60}
      turns:
        - user: book a dentist appointment next wednesday at 3pm for 45 minutes
          bot:                                    # the answer, message by message, in order
            - text: "Dentist appointment, {next wednesday}, 15:00-15:45 (Europe/London).
                Shall I book it?"                 # (a quoted text may go on: one space)
              buttons: [Yes, Change, Cancel]      # titles, in order ([] for none)
        - button: Yes                             # press a button of the last answer: its
          bot:                                    # title, or its number (1 is the first)
            - contains: ["Booked: Dentist appointment", ".ics"]
        - user: thanks                            # no `bot`: the answer is not checked
      bookings:                                   # what is booked at the end (none if absent)
        - {title: Dentist appointment, date: next wednesday, start: "15:00", minutes: 45}

A turn's `bot` lists one entry per bot message, as many as the bot sends: a plain string is the
exact text; a mapping holds `text` (exact), `contains` (a text or a list the text must hold)
and `buttons`. Days (in `date`, and as `{<day>}` or `{<day>:<strftime format>}` in any text)
are relative (scripts/conversation_tests/days.py): today, tomorrow, in N days, friday (the next
one), next friday (next week's), or YYYY-MM-DD, in the tenant's time zone; `{next wednesday}`
is written the assistant's way, "Wed 9 Dec". Bookings are compared by title, day, start, length
(and `location` where given), cancelled ones left out. YAML has no booleans here: `Yes` is a
title and `user: yes` says "yes".

    python -m scripts.conversation_tests [FILE or DIR ...] [-k WORD] [--show]

prints PASS/FAIL per conversation with the first difference (expected vs got) and the turns
played, and exits 1 when any failed (2 for a file that is not valid). `--show` prints every
turn, to write expectations from; `--rasa-url URL --database-url URL` plays against a running
assistant instead (nothing is emptied there).
"""
