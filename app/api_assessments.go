package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
)

// apiEmployeeAttempts lists an employee's quiz attempts, newest first
// (self, own reporting line, or HR).
func (s *Server) apiEmployeeAttempts(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	list, err := s.quizzes.ListAttempts(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []assessments.AttemptSummary{}
	}
	return c.JSON(fiber.Map{"attempts": list})
}

// apiEmployeeObservations lists an employee's current signed-off role-play
// observations with their self-assessments (self, own reporting line, or HR).
func (s *Server) apiEmployeeObservations(c *fiber.Ctx) error {
	e, err := s.visibleEmployee(c, number(c))
	if err != nil {
		return err
	}
	list, err := s.observations.ObservationsForAPI(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []assessments.ObservationSummary{}
	}
	return c.JSON(fiber.Map{"observations": list})
}
