"""Admin wiring of the QMS register (scope, policy), risks and opportunities, conformity announcements and external inspections."""
