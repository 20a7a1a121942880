"""The commitment tracker: every commitment of the plan, its milestones and
the datasets that publish it (plugin ``koreanap_commitments``)."""
