"""Implementation reports (Cafcass 7.4, Dorset xi): what monitoring found about a document in
force, or about the whole organisation, as JSON, HTML and CSV; tabled to a board as a paper;
carried into the document's next review. A read model: it reads the monitoring actions, the
acknowledgement uptake, the dis-applications and the requests to the policy service."""
