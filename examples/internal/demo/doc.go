// Package demo holds the fictional fixtures the examples share: the partner
// and cohort of the demo, the reference rubric of the domain reference, two
// cases and their case set, and the scripted results that stand in for a
// learner's play and the grader's work.
//
// Every case, name and finding here is invented; none describes a real
// patient.
package demo
