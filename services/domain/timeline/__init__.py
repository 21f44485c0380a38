"""A read model: a document's history as people read it (its timeline, and the paper trail an
FOI request asks for), built from the records of the register and every workflow."""
