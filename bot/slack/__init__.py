"""Everything Slack-specific: the bolt app, its listeners, Block Kit rendering and serving."""
