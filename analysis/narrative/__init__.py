"""Every sentence the project publishes: one module per section, and the house style (:mod:`analysis.narrative.style`)."""
