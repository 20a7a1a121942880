"""The 3D resource view (plugin ``koreanap_3d_view``): GLB, STL, OBJ and PLY in the browser."""
