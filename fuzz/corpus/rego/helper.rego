default executables := 33
executables := 3 if {
	input.foo
	helper
}
helper if { input.foo.a == query_reference_value("a") }
