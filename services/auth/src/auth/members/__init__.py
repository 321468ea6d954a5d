"""Reactions to the api's member events: departures end sessions, arrivals get a welcome link."""
