"""ReportLab building blocks shared by every printed form (sign-in sheet,
summary, proposal): the CJK font, an A4 document with the meeting's header on
every page and a "page x of y" footer, and table helpers."""
