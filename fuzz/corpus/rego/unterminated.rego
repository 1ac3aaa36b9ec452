x := 1 if {
 x in query_reference_value("abc
}
