"""The reports of the leadership dashboard (issue [9] item 7): the annual QMS report of an agency
as a PDF (``annual``: its figures read by ``annual_data``), and the monthly report e-mailed to
the leaders (``monthly``: its figures and text; sent by ``indicators.services.reports``)."""
