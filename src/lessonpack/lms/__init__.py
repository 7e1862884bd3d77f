"""The course for a school's learning platform (``dist/lms/``), from the builds' outputs.

``python -m lessonpack.lms`` runs once per `make`, after the builds it reads: the teacher
edition's report (the quizzes as data, with keys; each document's title and toctree), the
student website's output record (its pages, styles, fonts and images) and the student PDF
build's record (the handouts). It writes, from those alone:

- ``<basename>-teacher.imscc`` (IMS Common Cartridge 1.1) and ``<basename>-teacher-cc1.2.imscc``
  (the same as 1.2): per lesson a module of its student pages, its handouts and its quizzes as
  assessments (:mod:`.cartridge`);
- ``qti/<quiz>.zip``: each quiz alone as Canvas QTI 1.2 (:mod:`.qti`);
- ``<basename>-moodle.xml``: every quiz as Moodle XML for the question bank (:mod:`.moodle`).

Reproducible: zip entries sorted and dated from ``SOURCE_DATE_EPOCH`` (:mod:`.zips`), every
identifier a hash of names.
"""
