def test_the_cast_can_be_built(tree, district_cadre_a):
    assert tree.grassroots_a.path.startswith(tree.district_a.path)
    assert district_cadre_a.roles.count() == 1
