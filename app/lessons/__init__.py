"""Lessons: an instructor's stops through a network, published under a short link.

document.py is the lesson format and its checks, store.py keeps lessons in a SQL database
(SQLite or PostgreSQL) whose schema migrations/ brings up to date at start-up.
"""

import re

ID = re.compile(r"[A-Za-z0-9]{6,16}")  # a lesson's id, in the API and in page addresses
