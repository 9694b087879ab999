"""Every sentence the project publishes: published tables (and the audit's own metadata) in, sentences out."""
