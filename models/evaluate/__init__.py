"""Evaluation of trained models: per-lift accuracy tables, confusion matrices, embeddings."""
