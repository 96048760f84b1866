"""The portfolio: initiative records, their store and the assessment against the framework."""
