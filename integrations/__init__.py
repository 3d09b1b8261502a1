"""Outgoing notifications to a team's chat and scripts: Slack, a signed JSON webhook, …"""
