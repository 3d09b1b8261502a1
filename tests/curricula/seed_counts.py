"""What the bundled seeds hold, counted by hand once: the parser and import tests both pin it."""

TRAINING_ROLES_PER_TIER = {1: 23, 2: 5, 3: 4, 4: 15, 5: 9, 6: 3, 7: 6}
TRAINING_ROLES_PER_TOPIC = {
    "Post-Training LLMs (SFT, DPO, RLHF, Preference Optimization)": 8,
    "Training Dynamics & Optimization at Scale": 7,
    "Evaluation, Metrics, and Debugging": 4,
    "Data as a Training Lever": 4,
    "Distributed Training": 3,
    "Efficiency & Precision": 2,
    "Experiment Design": 2,
    "Reading Research Effectively": 2,
    "Targeted Readings": 11,
    "Case Studies": 4,
    "Architecture": 3,
    "Safety–Capability Tradeoffs": 3,
    "Compute & Strategy": 3,
    None: 3,  # tier 6 lists its items with no topic
    "Evaluation Harnesses": 3,
    "Runbooks": 3,
}
ELICIT_PER_TIER = {1: 12, 2: 17, 3: 16, 4: 43}  # tier 4 is "Tier 4+", optional
ELICIT_PER_TOPIC = {
    "Introduction to machine learning": 8,
    "Transformers": 16,
    "Key foundation model architectures": 28,
    "Training and finetuning": 32,
    "Production deployment": 4,
}
LLM_TRICKS_PER_TOPIC = {
    "Optimization": 8,
    "Pre-training": 11,
    "Peft techniques": 13,
    "Alignment, preference alignment, reward models": 42,
}
