DROP INDEX certificates_issued;
