"""The gates a governance route requires before sign-off, and what meets them: the assessment
that stands for a draft (coverage), the fit-for-purpose checklist, a consultation closed, a
proposal approved. Pure reads of the records, in the register floor, so that the sign-off and
the assessments' own workflow both ask here without either asking the other."""
