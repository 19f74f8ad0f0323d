"""Take a case out (GA4GH Phenopacket v2, FHIR R4 Bundle) and bring one in from such a file.

snapshot.py reads a case into plain data once; phenopacket.py and fhir.py write it out and read a
file back into a `Prefill`; validation.py checks an export before it is offered; importing.py turns
an upload into a Prefill (hostile input refused with a clear message) and says what will be filled.
Nothing identifying ever leaves: a case is the pseudonym, sex at birth and codes.
"""
