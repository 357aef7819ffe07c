"""The SQLite layout of an index, and its version."""

# Bumped when the layout or the terms change: 4 = acronym plurals ("VMs") index as "vm";
# 5 = sessions keep their place in the official schedule (``slot``); 6 = with the semantic
# extra, a vector per sentence of each passage (``sentence_vectors``).
SCHEMA_VERSION = 6

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,        -- 0..S-1: its place in Index.sessions
    title TEXT NOT NULL,
    speakers TEXT NOT NULL,        -- JSON list
    summit TEXT, date TEXT, track TEXT,
    tags TEXT NOT NULL,            -- JSON list
    url TEXT,
    aliases TEXT NOT NULL,         -- JSON list
    source TEXT NOT NULL,          -- file, relative to the corpus root
    fingerprint TEXT NOT NULL,     -- to tell what a reload changed
    passage_count INTEGER NOT NULL,
    keywords TEXT NOT NULL,        -- JSON list of terms that mark the session
    slot TEXT                      -- JSON object: start, end, room... (bot.corpus.models.Slot)
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,        -- 0..N-1: the row of the score array
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    position INTEGER NOT NULL,
    heading TEXT,
    text TEXT NOT NULL,
    length INTEGER NOT NULL        -- in index terms
);
CREATE TABLE postings (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL,
    ids BLOB NOT NULL,             -- uint32 passage ids, ascending
    impacts BLOB NOT NULL          -- float32 BM25 contribution of the term to each passage
) WITHOUT ROWID;
-- The same, for passages with their session's name as a heavier field (BM25F) ...
CREATE TABLE fielded_postings (term TEXT PRIMARY KEY, df INTEGER NOT NULL, ids BLOB NOT NULL,
    impacts BLOB NOT NULL) WITHOUT ROWID;
-- ... and for whole sessions as documents (ids are session ids).
CREATE TABLE session_postings (term TEXT PRIMARY KEY, df INTEGER NOT NULL, ids BLOB NOT NULL,
    impacts BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE arrays (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE sentence_vectors (    -- semantic extra only: one row per passage with sentences
    passage INTEGER PRIMARY KEY,   -- passages.id
    keys BLOB NOT NULL,            -- each sentence's embedding key (semantic.embedding_key)
    vectors BLOB NOT NULL          -- their unit vectors, float16, one after another
);
CREATE TABLE acronyms (short TEXT NOT NULL, long TEXT NOT NULL, PRIMARY KEY (short, long))
    WITHOUT ROWID;                 -- pairs the notes define: "RBD, the RADOS Block Device"
"""
