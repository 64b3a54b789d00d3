"""Representation: campaign targets and their progress, the community beside the workforce, before and after."""
