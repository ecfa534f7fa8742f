"""Reports: the Word documents the platform produces (filing forms, summaries, compilations).

``lianyan.reports.docx`` writes them in the official format; it is imported where a report is
built, not here, so that importing the domain does not load python-docx.
"""
