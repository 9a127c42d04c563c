"""The stations wired together: the analyser (registration, passages, alarm rule) run live by
``Runtime`` (``liftwatch serve``) or over a recording by ``replay``, and ``score`` against truth."""
