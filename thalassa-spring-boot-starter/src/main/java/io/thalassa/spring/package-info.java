package io.thalassa.spring;
