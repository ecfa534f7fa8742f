"""Same topic, different design (同研异构) exchanges: designs, comments, pairing."""
