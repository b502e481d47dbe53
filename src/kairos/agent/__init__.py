"""The agent: the value of time, time allocation, a memory of solutions and the TONI audit."""
