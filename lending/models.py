"""Care-equipment lending: its models come with the lending domain."""
