"""The faces of the advisor: the `advisor` terminal CLI and the Slack app (bot/slack/)."""
