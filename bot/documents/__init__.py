"""Documents zhibu draws: the monthly report workbook and chart, the large-print PDF."""
