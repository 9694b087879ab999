"""One module per part of the report's audit: validated data in, processed tables and the sentences that carry their numbers out."""
